build-werror/src/vhost/activate.o: src/vhost/activate.c src/common/opts.h \
 src/vhost/activate.h
src/common/opts.h:
src/vhost/activate.h:
