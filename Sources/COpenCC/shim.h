// The C API of OpenCC (libopencc-dev; pkg-config opencc adds -I/usr/include/opencc).
#include <opencc.h>
