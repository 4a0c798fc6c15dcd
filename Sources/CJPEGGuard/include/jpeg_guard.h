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
} frs_jpeg_header;

/// Reads the header of an in-memory JPEG. Returns 0 on success; otherwise -1 with a message
/// (libjpeg's own text) in `err`. Never exits the process.
int frs_jpeg_read_header(const uint8_t *data, size_t length, frs_jpeg_header *header,
                         char *err, size_t err_capacity);

/// Decodes an in-memory JPEG to interleaved 8-bit RGB, scaled by 1/`scale_denom`
/// (1, 2, 4 or 8, libjpeg's DCT scaling). Grayscale is replicated, CMYK/YCCK converted.
/// `out` must hold `out_capacity` bytes; the scaled size is written to `out_width`/`out_height`.
/// The output size for a scale is known beforehand from `frs_jpeg_scaled_size`.
/// Returns 0 on success; -1 with a message in `err` on a libjpeg error; -2 if `out` is too small.
int frs_jpeg_decode_rgb(const uint8_t *data, size_t length, int scale_denom,
                        uint8_t *out, size_t out_capacity, int *out_width, int *out_height,
                        char *err, size_t err_capacity);

/// The output size libjpeg gives for the file's size scaled by 1/`scale_denom`.
void frs_jpeg_scaled_size(int width, int height, int scale_denom, int *out_width, int *out_height);

#endif
