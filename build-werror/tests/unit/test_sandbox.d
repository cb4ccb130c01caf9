build-werror/tests/unit/test_sandbox.o: tests/unit/test_sandbox.c \
 src/common/log.h src/common/opts.h src/common/sandbox.h src/vhost/loop.h \
 src/vhost/work.h src/vhost/loop.h
src/common/log.h:
src/common/opts.h:
src/common/sandbox.h:
src/vhost/loop.h:
src/vhost/work.h:
src/vhost/loop.h:
