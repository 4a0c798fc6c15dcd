// Error-safe libjpeg entry points. libjpeg's default error_exit calls exit(); here it longjmps
// back to the caller with libjpeg's message, and output_message is silenced.
#include "jpeg_guard.h"
#include <stdio.h>
#include <jpeglib.h>
#include <jerror.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct guard_error {
    struct jpeg_error_mgr mgr;
    jmp_buf jump;
    int saw_eof;  // a JWRN_JPEG_EOF warning: the source ran out of data
    int stop;     // a limit's status (FRS_JPEG_TOO_MANY_SCANS, …) when the progress monitor stopped the decode
    char message[JMSG_LENGTH_MAX];
} guard_error;

// The decoder's progress monitor: libjpeg calls it before absorbing each iMCU row of every scan of a
// multi-scan file (in jpeg_start_decompress) and before each output row, so a limit stops a decode
// within one row's work, whatever the file holds after that point.
typedef struct guard_progress {
    struct jpeg_progress_mgr mgr;
    frs_jpeg_limits limits;
    double pixels;  // declared width × height
} guard_progress;

static double thread_cpu_seconds(void) {
    struct timespec t;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t) != 0) return 0;
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

double frs_thread_cpu_seconds(void) { return thread_cpu_seconds(); }

static void guard_stop(j_common_ptr cinfo, int status, const char *message) {
    guard_error *e = (guard_error *)cinfo->err;
    e->stop = status;
    strncpy(e->message, message, sizeof e->message - 1);
    e->message[sizeof e->message - 1] = 0;
    longjmp(e->jump, 1);
}

static void guard_progress_monitor(j_common_ptr cinfo) {
    if (!cinfo->is_decompressor) return;
    guard_progress *p = (guard_progress *)cinfo->progress;
    int scans = ((j_decompress_ptr)cinfo)->input_scan_number;
    char message[JMSG_LENGTH_MAX];
    if (p->limits.max_scans > 0 && scans > p->limits.max_scans) {
        snprintf(message, sizeof message, "the file has more than %d scans", p->limits.max_scans);
        guard_stop(cinfo, FRS_JPEG_TOO_MANY_SCANS, message);
    }
    if (p->limits.max_work > 0 && p->pixels * (double)scans > p->limits.max_work) {
        snprintf(message, sizeof message,
                 "the file declares %.0f pixels and has at least %d scans: decoding it would take more than "
                 "the limit of %.0f pixel-scans", p->pixels, scans, p->limits.max_work);
        guard_stop(cinfo, FRS_JPEG_TOO_MUCH_WORK, message);
    }
    if (p->limits.cpu_deadline > 0 && thread_cpu_seconds() > p->limits.cpu_deadline) {
        guard_stop(cinfo, FRS_JPEG_OVER_BUDGET, "the decode ran out of its processor-time budget");
    }
}

static void guard_error_exit(j_common_ptr cinfo) {
    guard_error *e = (guard_error *)cinfo->err;
    (*cinfo->err->format_message)(cinfo, e->message);
    longjmp(e->jump, 1);
}

static void guard_output_message(j_common_ptr cinfo) { (void)cinfo; }

static void guard_emit_message(j_common_ptr cinfo, int level) {
    // Warnings (level -1, e.g. corrupt data recovered) are counted by libjpeg; we keep going as
    // PIL does, except that running out of data is reported (PIL: "image file is truncated").
    if (level < 0) {
        cinfo->err->num_warnings++;
        if (cinfo->err->msg_code == JWRN_JPEG_EOF) ((guard_error *)cinfo->err)->saw_eof = 1;
    }
}

static void copy_message(const char *message, char *err, size_t capacity) {
    if (err == NULL || capacity == 0) return;
    strncpy(err, message, capacity - 1);
    err[capacity - 1] = 0;
}

static void install_guard(struct jpeg_decompress_struct *cinfo, guard_error *jerr) {
    memset(cinfo, 0, sizeof *cinfo);
    memset(jerr, 0, sizeof *jerr);
    cinfo->err = jpeg_std_error(&jerr->mgr);
    jerr->mgr.error_exit = guard_error_exit;
    jerr->mgr.output_message = guard_output_message;
    jerr->mgr.emit_message = guard_emit_message;
}

static unsigned int valid_denom(int scale_denom) {
    return (unsigned int)(scale_denom == 2 || scale_denom == 4 || scale_denom == 8 ? scale_denom : 1);
}

// Reads an Exif APP1 segment's orientation tag (0x0112) from IFD0. Returns 0 when absent.
// Every read is bounds-checked against the saved marker length.
static int exif_orientation(struct jpeg_decompress_struct *cinfo) {
    for (jpeg_saved_marker_ptr m = cinfo->marker_list; m != NULL; m = m->next) {
        if (m->marker != JPEG_APP0 + 1 || m->data_length < 14) continue;
        const uint8_t *d = m->data;
        size_t n = m->data_length;
        if (memcmp(d, "Exif\0\0", 6) != 0) continue;
        const uint8_t *t = d + 6;
        size_t tn = n - 6;
        int le;
        if (t[0] == 'I' && t[1] == 'I') le = 1;
        else if (t[0] == 'M' && t[1] == 'M') le = 0;
        else continue;
#define U16(p) (le ? (uint32_t)((p)[0] | ((p)[1] << 8)) : (uint32_t)(((p)[0] << 8) | (p)[1]))
#define U32(p) (le ? ((uint32_t)(p)[0] | ((uint32_t)(p)[1] << 8) | ((uint32_t)(p)[2] << 16) | ((uint32_t)(p)[3] << 24)) \
                   : (((uint32_t)(p)[0] << 24) | ((uint32_t)(p)[1] << 16) | ((uint32_t)(p)[2] << 8) | (uint32_t)(p)[3]))
        if (U16(t + 2) != 42) continue;
        uint32_t ifd = U32(t + 4);
        if (ifd > tn || tn - ifd < 2) continue;
        uint32_t count = U16(t + ifd);
        for (uint32_t i = 0; i < count; i++) {
            size_t entry = (size_t)ifd + 2 + (size_t)i * 12;
            if (entry + 12 > tn) break;
            if (U16(t + entry) == 0x0112) {
                uint32_t type = U16(t + entry + 2);
                if (type != 3) return 0; // SHORT
                uint32_t value = U16(t + entry + 8);
                return (value >= 1 && value <= 8) ? (int)value : 0;
            }
        }
#undef U16
#undef U32
    }
    return 0;
}

int frs_jpeg_read_header(const uint8_t *data, size_t length, int scale_denom, frs_jpeg_header *header,
                         char *err, size_t err_capacity) {
    struct jpeg_decompress_struct cinfo;
    guard_error jerr;
    install_guard(&cinfo, &jerr);
    if (setjmp(jerr.jump)) {
        copy_message(jerr.message, err, err_capacity);
        jpeg_destroy_decompress(&cinfo);
        // The mem source pads missing data with an EOI marker (and warns); the parser then fails.
        return jerr.saw_eof ? FRS_JPEG_TRUNCATED : FRS_JPEG_ERROR;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)length);
    jpeg_save_markers(&cinfo, JPEG_APP0 + 1, 0xFFFF);
    jpeg_read_header(&cinfo, TRUE);
    header->width = (int)cinfo.image_width;
    header->height = (int)cinfo.image_height;
    header->components = cinfo.num_components;
    header->color_space = (int)cinfo.jpeg_color_space;
    header->exif_orientation = exif_orientation(&cinfo);
    header->progressive = jpeg_has_multiple_scans(&cinfo) ? 1 : 0;
    cinfo.scale_num = 1;
    cinfo.scale_denom = valid_denom(scale_denom);
    jpeg_calc_output_dimensions(&cinfo);
    header->output_width = (int)cinfo.output_width;
    header->output_height = (int)cinfo.output_height;
    jpeg_destroy_decompress(&cinfo);
    return FRS_JPEG_OK;
}

// PIL's CMYK -> RGB (Convert.c cmyk2rgb): nk = 255 - k; out = nk - round(c * nk / 255).
static inline uint8_t cmyk_channel(int ink, int nk) {
    int tmp = ink * nk + 128;
    int v = nk - (((tmp >> 8) + tmp) >> 8);
    return (uint8_t)(v < 0 ? 0 : (v > 255 ? 255 : v));
}

int frs_jpeg_decode_rgb(const uint8_t *data, size_t length, int scale_denom, long max_memory,
                        const frs_jpeg_limits *limits,
                        uint8_t *out, size_t out_capacity, int *out_width, int *out_height,
                        char *err, size_t err_capacity) {
    struct jpeg_decompress_struct cinfo;
    guard_error jerr;
    guard_progress progress;
    JSAMPROW row = NULL;
    uint8_t *volatile cmyk_row = NULL;
    install_guard(&cinfo, &jerr);
    if (setjmp(jerr.jump)) {
        copy_message(jerr.message, err, err_capacity);
        jpeg_destroy_decompress(&cinfo);
        free(cmyk_row);
        if (jerr.stop != 0) return jerr.stop;
        return jerr.saw_eof ? FRS_JPEG_TRUNCATED : FRS_JPEG_ERROR;
    }
    jpeg_create_decompress(&cinfo);
    if (max_memory > 0) cinfo.mem->max_memory_to_use = max_memory;
    jpeg_mem_src(&cinfo, data, (unsigned long)length);
    jpeg_read_header(&cinfo, TRUE);
    if (limits != NULL) {
        memset(&progress, 0, sizeof progress);
        progress.mgr.progress_monitor = guard_progress_monitor;
        progress.limits = *limits;
        progress.pixels = (double)cinfo.image_width * (double)cinfo.image_height;
        cinfo.progress = &progress.mgr;
    }
    int cmyk = (cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK);
    cinfo.out_color_space = cmyk ? JCS_CMYK : JCS_RGB;
    cinfo.dct_method = JDCT_ISLOW;
    cinfo.do_fancy_upsampling = TRUE;
    cinfo.scale_num = 1;
    cinfo.scale_denom = valid_denom(scale_denom);
    jpeg_calc_output_dimensions(&cinfo);
    size_t w = cinfo.output_width, h = cinfo.output_height;
    if (w * h * 3 > out_capacity) {
        jpeg_destroy_decompress(&cinfo);
        return FRS_JPEG_TOO_SMALL;
    }
    jpeg_start_decompress(&cinfo);
    // Adobe (Photoshop) files store CMYK inverted; PIL reads them as "CMYK;I" and so do we.
    int inverted = cmyk && cinfo.saw_Adobe_marker;
    if (cmyk) {
        cmyk_row = (uint8_t *)malloc(w * 4);
        if (cmyk_row == NULL) {
            copy_message("out of memory", err, err_capacity);
            jpeg_destroy_decompress(&cinfo);
            return FRS_JPEG_ERROR;
        }
    }
    while (cinfo.output_scanline < cinfo.output_height && !jerr.saw_eof) {
        uint8_t *dst = out + (size_t)cinfo.output_scanline * w * 3;
        row = cmyk ? cmyk_row : dst;
        jpeg_read_scanlines(&cinfo, &row, 1);
        if (cmyk) {
            for (size_t x = 0; x < w; x++) {
                int c = cmyk_row[4 * x], m = cmyk_row[4 * x + 1], y = cmyk_row[4 * x + 2], k = cmyk_row[4 * x + 3];
                if (inverted) { c = 255 - c; m = 255 - m; y = 255 - y; k = 255 - k; }
                int nk = 255 - k;
                dst[3 * x] = cmyk_channel(c, nk);
                dst[3 * x + 1] = cmyk_channel(m, nk);
                dst[3 * x + 2] = cmyk_channel(y, nk);
            }
        }
    }
    if (jerr.saw_eof) {
        copy_message("Premature end of JPEG file", err, err_capacity);
        jpeg_destroy_decompress(&cinfo);
        free(cmyk_row);
        return FRS_JPEG_TRUNCATED;
    }
    // Every row is decoded; a missing EOI marker alone (seen only here) is accepted, as PIL does.
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    free(cmyk_row);
    *out_width = (int)w;
    *out_height = (int)h;
    return FRS_JPEG_OK;
}

// MARK: - Encoding

int frs_jpeg_encode_rgb(const uint8_t *rgb, int width, int height, int quality,
                        uint8_t **out, size_t *out_length, char *err, size_t err_capacity) {
    struct jpeg_compress_struct cinfo;
    guard_error jerr;
    // jpeg_mem_dest (re)allocates this buffer; volatile so its value survives the longjmp.
    unsigned char *volatile buffer = NULL;
    unsigned long length = 0;
    *out = NULL;
    *out_length = 0;
    if (rgb == NULL || width <= 0 || height <= 0 || width > 65500 || height > 65500) {
        copy_message("invalid image size", err, err_capacity);
        return FRS_JPEG_ERROR;
    }
    memset(&cinfo, 0, sizeof cinfo);
    memset(&jerr, 0, sizeof jerr);
    cinfo.err = jpeg_std_error(&jerr.mgr);
    jerr.mgr.error_exit = guard_error_exit;
    jerr.mgr.output_message = guard_output_message;
    if (setjmp(jerr.jump)) {
        copy_message(jerr.message, err, err_capacity);
        jpeg_destroy_compress(&cinfo);
        free(buffer);
        return FRS_JPEG_ERROR;
    }
    jpeg_create_compress(&cinfo);
    jpeg_mem_dest(&cinfo, (unsigned char **)&buffer, &length);
    cinfo.image_width = (JDIMENSION)width;
    cinfo.image_height = (JDIMENSION)height;
    cinfo.input_components = 3;
    cinfo.in_color_space = JCS_RGB;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, quality < 1 ? 1 : (quality > 100 ? 100 : quality), TRUE);
    jpeg_start_compress(&cinfo, TRUE);
    size_t stride = (size_t)width * 3;
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW row = (JSAMPROW)(rgb + (size_t)cinfo.next_scanline * stride);
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    *out = buffer;
    *out_length = (size_t)length;
    return FRS_JPEG_OK;
}

void frs_jpeg_free(uint8_t *buffer) { free(buffer); }
