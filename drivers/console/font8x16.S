/* drivers/console/font8x16.S: the framebuffer console's PSF font, embedded as it came from the build.
 * Only the bytes: fbcon.c checks and parses them (PSF1 or PSF2) and draws nothing if they are bad. */

#ifndef FONT_PSF_FILE
#error "FONT_PSF_FILE must name the unpacked PSF font (the Makefile sets it)"
#endif

	.section .rodata, "a"
	.balign 8
	.globl font_psf_start
font_psf_start:
	.incbin FONT_PSF_FILE
	.globl font_psf_end
font_psf_end:
