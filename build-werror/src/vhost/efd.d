build-werror/src/vhost/efd.o: src/vhost/efd.c src/common/log.h \
 src/vhost/efd.h
src/common/log.h:
src/vhost/efd.h:
