#ifndef VD_VERSION_H
#define VD_VERSION_H
#define VD_VERSION "0.1.0"
#endif
