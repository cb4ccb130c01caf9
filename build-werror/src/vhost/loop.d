build-werror/src/vhost/loop.o: src/vhost/loop.c src/common/log.h \
 src/vhost/loop.h
src/common/log.h:
src/vhost/loop.h:
