/*-------------------------------------------------------------------------
 *
 * store_file.c
 *	  Keeping the stores across a clean server restart.
 *
 * With pg_scaleup.save = on, the postmaster writes every entry of the three
 * stores to pg_stat/pg_scaleup.stat when it shuts down cleanly, and reads the
 * file back when it starts.  The file contains a header, then for each store a
 * count followed by the entries as they are in memory.  A file written by a
 * build with another layout or another pg_scaleup.max_query_length is
 * ignored with a LOG message; entries beyond a store's capacity are dropped.
 * After a crash there is no file, because the shutdown hook only writes on a
 * clean exit, so the stores start empty.  A server started with
 * pg_scaleup.save = off removes the file instead of loading it.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <unistd.h>

#include "pgstat.h"
#include "storage/fd.h"
#include "utils/hsearch.h"

#include "scaleup.h"

#define STORE_FILE			PGSTAT_STAT_PERMANENT_DIRECTORY "/pg_scaleup.stat"
#define STORE_FILE_TMP		STORE_FILE ".tmp"
#define STORE_FILE_MAGIC	0x53435550	/* "SCUP" */
#define STORE_FILE_VERSION	1

typedef struct StoreFileHeader
{
	uint32		magic;
	uint32		version;
	uint32		entry_sizes[STORE_COUNT];
	int32		max_query_length;
	TimestampTz last_reset;
	int64		evictions[STORE_COUNT];
} StoreFileHeader;

static void
fill_header(StoreFileHeader *header)
{
	int			i;

	memset(header, 0, sizeof(*header));
	header->magic = STORE_FILE_MAGIC;
	header->version = STORE_FILE_VERSION;
	for (i = 0; i < STORE_COUNT; i++)
		header->entry_sizes[i] = (uint32) scaleup_entry_size(i);
	header->max_query_length = scaleup_max_query_length;
	header->last_reset = scaleup_shared->last_reset;
	for (i = 0; i < STORE_COUNT; i++)
		header->evictions[i] = scaleup_shared->evictions[i];
}

/* Write one store's count and entries; returns false on a write error. */
static bool
write_store(FILE *file, StoreId store)
{
	Size		entry_size = scaleup_entry_size(store);
	int32		count = (int32) hash_get_num_entries(scaleup_htab[store]);
	HASH_SEQ_STATUS status;
	void	   *entry;

	if (fwrite(&count, sizeof(count), 1, file) != 1)
		return false;

	hash_seq_init(&status, scaleup_htab[store]);
	while ((entry = hash_seq_search(&status)) != NULL)
	{
		if (fwrite(entry, entry_size, 1, file) != 1)
		{
			hash_seq_term(&status);
			return false;
		}
	}
	return true;
}

/*
 * on_shmem_exit callback of the postmaster: save the stores if asked to.
 * Runs when no backend is left, so no lock is needed.
 */
void
store_file_save(int code, Datum arg)
{
	StoreFileHeader header;
	FILE	   *file;
	int			i;

	/* After a crash, shared memory may be inconsistent: save nothing. */
	if (code != 0 || scaleup_shared == NULL ||
		scaleup_htab[STORE_QUERIES] == NULL)
		return;

	if (!scaleup_save)
	{
		unlink(STORE_FILE);
		return;
	}

	file = AllocateFile(STORE_FILE_TMP, PG_BINARY_W);
	if (file == NULL)
		goto error;

	fill_header(&header);
	if (fwrite(&header, sizeof(header), 1, file) != 1)
		goto error;
	for (i = 0; i < STORE_COUNT; i++)
	{
		if (!write_store(file, i))
			goto error;
	}

	if (FreeFile(file))
	{
		file = NULL;
		goto error;
	}

	(void) durable_rename(STORE_FILE_TMP, STORE_FILE, LOG);
	return;

error:
	ereport(LOG,
			(errcode_for_file_access(),
			 errmsg("could not write file \"%s\": %m", STORE_FILE_TMP)));
	if (file)
		FreeFile(file);
	unlink(STORE_FILE_TMP);
}

/* Read one store's entries; returns false on a short read. */
static bool
read_store(FILE *file, StoreId store, char *buffer)
{
	Size		entry_size = scaleup_entry_size(store);
	int32		count;
	int32		i;

	if (fread(&count, sizeof(count), 1, file) != 1 || count < 0)
		return false;

	for (i = 0; i < count; i++)
	{
		if (fread(buffer, entry_size, 1, file) != 1)
			return false;
		/* Past capacity the rest is read and dropped. */
		(void) store_insert_loaded(store, buffer);
	}
	return true;
}

/*
 * Load the file saved at the last clean shutdown, then remove it so that a
 * later crash cannot bring back stale counts.  Called by the postmaster
 * right after creating the stores.
 */
void
store_file_load(void)
{
	StoreFileHeader header;
	StoreFileHeader expected;
	FILE	   *file;
	char	   *buffer = NULL;
	int			i;

	/* Told not to keep statistics: a file left from before is stale. */
	if (!scaleup_save)
	{
		unlink(STORE_FILE);
		return;
	}

	file = AllocateFile(STORE_FILE, PG_BINARY_R);
	if (file == NULL)
	{
		if (errno != ENOENT)
			ereport(LOG,
					(errcode_for_file_access(),
					 errmsg("could not read file \"%s\": %m", STORE_FILE)));
		return;
	}

	fill_header(&expected);
	if (fread(&header, sizeof(header), 1, file) != 1 ||
		header.magic != STORE_FILE_MAGIC ||
		header.version != STORE_FILE_VERSION ||
		memcmp(header.entry_sizes, expected.entry_sizes,
			   sizeof(header.entry_sizes)) != 0 ||
		header.max_query_length != expected.max_query_length)
	{
		ereport(LOG,
				(errmsg("ignoring file \"%s\" written with another layout",
						STORE_FILE),
				 errdetail("pg_scaleup.max_query_length or the pg_scaleup version changed since the file was written.")));
		goto done;
	}

	scaleup_shared->last_reset = header.last_reset;
	for (i = 0; i < STORE_COUNT; i++)
		scaleup_shared->evictions[i] = header.evictions[i];

	buffer = palloc(scaleup_entry_size(STORE_QUERIES) +
					sizeof(ScanEntry) + sizeof(ProjectionEntry));
	for (i = 0; i < STORE_COUNT; i++)
	{
		if (!read_store(file, i, buffer))
		{
			ereport(LOG,
					(errmsg("file \"%s\" is truncated; some statistics were not restored",
							STORE_FILE)));
			break;
		}
	}

done:
	if (buffer)
		pfree(buffer);
	FreeFile(file);
	unlink(STORE_FILE);
}
