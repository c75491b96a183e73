/*-------------------------------------------------------------------------
 *
 * pg_scaleup.c
 *	  Entry point of the pg_scaleup library.
 *
 * The library only works when it is listed in shared_preload_libraries,
 * because its stores live in shared memory reserved at server start.  Loaded
 * any other way it installs nothing, and the SQL functions report how to fix
 * the configuration (see scaleup_require_shmem).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/queryjumble.h"

#include "hooks.h"
#include "scaleup.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

void
_PG_init(void)
{
	if (!process_shared_preload_libraries_in_progress)
		return;

	scaleup_define_gucs();

	/* Our entries join pg_stat_statements on the core query identifier. */
	EnableQueryId();

	scaleup_install_hooks();
}
