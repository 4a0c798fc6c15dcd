#ifndef FRS_JPEG_GUARD_H
#define FRS_JPEG_GUARD_H
#include <stddef.h>
#include <stdint.h>

/// What a JPEG header declares, read without decoding any pixels.
typedef struct frs_jpeg_header {
    int width;            ///< declared width in pixels
    int height;           ///< declared height in pixels
    int components;       ///< colour components in the file (1 gray, 3 YCbCr/RGB, 4 CMYK/YCCK)
    int color_space;      ///< libjpeg's J_COLOR_SPACE of the file
    int exif_orientation; ///< 1..8 from an APP1 Exif segment, 0 when absent or unreadable
    int progressive;      ///< 1 for a progressive (multi-scan) file
    int output_width;     ///< width after the requested DCT scaling
    int output_height;    ///< height after the requested DCT scaling
} frs_jpeg_header;

/// Status codes of the functions below.
enum {
    FRS_JPEG_OK = 0,
    FRS_JPEG_ERROR = -1,     ///< libjpeg reported a fatal error; its message is in `err`
    FRS_JPEG_TRUNCATED = -2, ///< the data ended before the image was complete
    FRS_JPEG_TOO_SMALL = -3  ///< the output buffer is smaller than the decoded image
};

/// Reads the header of an in-memory JPEG and computes the output size for 1/`scale_denom`
/// (1, 2, 4 or 8; libjpeg's DCT scaling). Allocates nothing proportional to the image.
/// Returns FRS_JPEG_OK; FRS_JPEG_TRUNCATED when the data ends inside the header; or FRS_JPEG_ERROR
/// with libjpeg's message in `err`. Never exits the process.
int frs_jpeg_read_header(const uint8_t *data, size_t length, int scale_denom, frs_jpeg_header *header,
                         char *err, size_t err_capacity);

/// Decodes an in-memory JPEG to interleaved 8-bit RGB, scaled by 1/`scale_denom`, with libjpeg's
/// defaults (ISLOW DCT, fancy upsampling), exactly as PIL does. Grayscale is replicated; CMYK/YCCK
/// is converted with PIL's formula (Adobe files are taken as inverted, as PIL does).
/// `out` must hold `out_capacity` bytes (the size comes from `frs_jpeg_read_header`).
/// `max_memory` bounds libjpeg's own working memory in bytes (0 = libjpeg's default).
/// Returns FRS_JPEG_OK; FRS_JPEG_ERROR with a message; FRS_JPEG_TRUNCATED when the data ended early
/// (libjpeg would pad with grey); FRS_JPEG_TOO_SMALL if `out` is too small.
int frs_jpeg_decode_rgb(const uint8_t *data, size_t length, int scale_denom, long max_memory,
                        uint8_t *out, size_t out_capacity, int *out_width, int *out_height,
                        char *err, size_t err_capacity);

/// Encodes interleaved 8-bit RGB (`width`×`height`, rows packed, 3 bytes a pixel) as a baseline
/// JPEG of `quality` (1...100) in memory. On FRS_JPEG_OK `*out`/`*out_length` hold a buffer the
/// caller must release with `frs_jpeg_free`. Returns FRS_JPEG_ERROR with libjpeg's message in
/// `err` otherwise (nothing to free). Never exits the process.
int frs_jpeg_encode_rgb(const uint8_t *rgb, int width, int height, int quality,
                        uint8_t **out, size_t *out_length, char *err, size_t err_capacity);

/// Releases a buffer returned by `frs_jpeg_encode_rgb`.
void frs_jpeg_free(uint8_t *buffer);

#endif
