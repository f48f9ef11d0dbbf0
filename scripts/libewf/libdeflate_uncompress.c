/*
 * Custos build of libewf: zlib-stream inflate through libdeflate.
 *
 * libewf inflates every compressed EWF chunk with one whole-buffer call to zlib's uncompress().
 * libdeflate decodes the same zlib streams (RFC 1950/1951, Adler-32 checked) about twice as fast.
 * The build script points that single call here; the return codes keep zlib's meaning, so libewf's
 * handling of damaged chunks and of too-small output buffers is unchanged.
 */
#include <stddef.h>
#include <zlib.h>
#include <libdeflate.h>

int custos_libdeflate_uncompress(Bytef *destination, uLongf *destination_size,
                                 const Bytef *source, uLong source_size)
{
	struct libdeflate_decompressor *decompressor = NULL;
	enum libdeflate_result result;
	size_t produced = 0;

	if( ( destination == NULL ) || ( destination_size == NULL ) || ( source == NULL ) )
	{
		return( Z_STREAM_ERROR );
	}
	decompressor = libdeflate_alloc_decompressor();

	if( decompressor == NULL )
	{
		return( Z_MEM_ERROR );
	}
	result = libdeflate_zlib_decompress( decompressor, source, (size_t) source_size,
	                                     destination, (size_t) *destination_size, &produced );
	libdeflate_free_decompressor( decompressor );

	switch( result )
	{
		case LIBDEFLATE_SUCCESS:
			*destination_size = (uLongf) produced;
			return( Z_OK );

		case LIBDEFLATE_INSUFFICIENT_SPACE:
			return( Z_BUF_ERROR );

		default:
			return( Z_DATA_ERROR );
	}
}
