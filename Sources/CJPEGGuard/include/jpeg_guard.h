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
    FRS_JPEG_TOO_SMALL = -3, ///< the output buffer is smaller than the decoded image
    FRS_JPEG_TOO_MANY_SCANS = -4, ///< the file has more scans than `frs_jpeg_limits.max_scans`
    FRS_JPEG_TOO_MUCH_WORK = -5,  ///< declared pixels × scans exceeds `frs_jpeg_limits.max_work`
    FRS_JPEG_OVER_BUDGET = -6     ///< the calling thread's processor time passed `frs_jpeg_limits.cpu_deadline`
};

/// Bounds on one decode's work, checked by libjpeg's progress monitor before every iMCU row a
/// scan absorbs and every output row: a file of thousands of (empty) progressive scans is stopped
/// at the first scan over the limit, not decoded scan after scan. Zero disables a limit.
typedef struct frs_jpeg_limits {
    int max_scans;       ///< most scans (SOS segments) a file may have
    double max_work;     ///< most declared pixels × scans read so far
    double cpu_deadline; ///< the calling thread's processor time (`frs_thread_cpu_seconds`) at which to stop
} frs_jpeg_limits;

/// The calling thread's processor time in seconds (CLOCK_THREAD_CPUTIME_ID).
double frs_thread_cpu_seconds(void);

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
/// `max_memory` bounds libjpeg's own working memory in bytes (0 = libjpeg's default); `limits`
/// (NULL for none) bounds scans, work and processor time.
/// Returns FRS_JPEG_OK; FRS_JPEG_ERROR with a message; FRS_JPEG_TRUNCATED when the data ended early
/// (libjpeg would pad with grey); FRS_JPEG_TOO_SMALL if `out` is too small; FRS_JPEG_TOO_MANY_SCANS,
/// FRS_JPEG_TOO_MUCH_WORK or FRS_JPEG_OVER_BUDGET (with a message) when a limit stopped it.
int frs_jpeg_decode_rgb(const uint8_t *data, size_t length, int scale_denom, long max_memory,
                        const frs_jpeg_limits *limits,
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
