build-werror/tests/unit/test_imgfile.o: tests/unit/test_imgfile.c \
 src/common/log.h src/devices/imgfile.h src/vhost/loop.h src/vhost/work.h \
 src/vhost/loop.h
src/common/log.h:
src/devices/imgfile.h:
src/vhost/loop.h:
src/vhost/work.h:
src/vhost/loop.h:
