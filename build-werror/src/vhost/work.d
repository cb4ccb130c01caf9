build-werror/src/vhost/work.o: src/vhost/work.c src/common/log.h \
 src/vhost/work.h src/vhost/loop.h
src/common/log.h:
src/vhost/work.h:
src/vhost/loop.h:
