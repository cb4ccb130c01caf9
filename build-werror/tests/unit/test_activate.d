build-werror/tests/unit/test_activate.o: tests/unit/test_activate.c \
 src/common/opts.h src/vhost/activate.h src/vhost/sockets.h
src/common/opts.h:
src/vhost/activate.h:
src/vhost/sockets.h:
