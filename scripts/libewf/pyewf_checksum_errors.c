/*
 * Custos build of libewf-python: pyewf.handle.get_checksum_errors().
 *
 * libewf fills a chunk that fails its Adler-32 check or cannot be inflated with zeros and records its
 * sector range; the stock binding does not expose that list. This method returns it as a list of
 * (start_sector, number_of_sectors) tuples, for the chunks read so far.
 */
#include <common.h>
#include <types.h>

#include "pyewf_error.h"
#include "pyewf_handle.h"
#include "pyewf_libcerror.h"
#include "pyewf_libewf.h"
#include "pyewf_python.h"

PyObject *pyewf_handle_get_checksum_errors(pyewf_handle_t *pyewf_handle, PyObject *arguments)
{
	static char *function      = "pyewf_handle_get_checksum_errors";
	libcerror_error_t *error   = NULL;
	PyObject *ranges           = NULL;
	PyObject *item             = NULL;
	uint64_t start_sector      = 0;
	uint64_t number_of_sectors = 0;
	uint32_t number_of_errors  = 0;
	uint32_t error_index       = 0;
	int result                 = 0;

	(void) arguments;

	if( pyewf_handle == NULL )
	{
		PyErr_Format( PyExc_TypeError, "%s: invalid handle.", function );
		return( NULL );
	}
	Py_BEGIN_ALLOW_THREADS
	result = libewf_handle_get_number_of_checksum_errors( pyewf_handle->handle, &number_of_errors, &error );
	Py_END_ALLOW_THREADS

	if( result != 1 )
	{
		pyewf_error_raise( error, PyExc_IOError, "%s: unable to retrieve number of checksum errors.", function );
		libcerror_error_free( &error );
		return( NULL );
	}
	ranges = PyList_New( (Py_ssize_t) number_of_errors );

	if( ranges == NULL )
	{
		return( NULL );
	}
	for( error_index = 0; error_index < number_of_errors; error_index++ )
	{
		Py_BEGIN_ALLOW_THREADS
		result = libewf_handle_get_checksum_error(
		          pyewf_handle->handle, error_index, &start_sector, &number_of_sectors, &error );
		Py_END_ALLOW_THREADS

		if( result != 1 )
		{
			pyewf_error_raise( error, PyExc_IOError, "%s: unable to retrieve checksum error: %d.",
			                   function, (int) error_index );
			libcerror_error_free( &error );
			Py_DecRef( ranges );
			return( NULL );
		}
		item = Py_BuildValue( "(KK)", (unsigned long long) start_sector, (unsigned long long) number_of_sectors );

		if( item == NULL )
		{
			Py_DecRef( ranges );
			return( NULL );
		}
		PyList_SET_ITEM( ranges, (Py_ssize_t) error_index, item );
	}
	return( ranges );
}
