build-werror/tests/unit/test_work.o: tests/unit/test_work.c \
 src/vhost/loop.h src/vhost/work.h src/vhost/loop.h
src/vhost/loop.h:
src/vhost/work.h:
src/vhost/loop.h:
