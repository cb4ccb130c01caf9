build-werror/tests/unit/test_loop.o: tests/unit/test_loop.c \
 src/vhost/loop.h
src/vhost/loop.h:
