/*
 * daemon.h: the "run" command, which analyzes every target each interval.
 */
#ifndef SCALEUP_DAEMON_H
#define SCALEUP_DAEMON_H

#include "config.h"

/*
 * Run until SIGTERM or SIGINT, then return the exit code (0).  SIGHUP reads
 * config_path again (NULL: nothing to read).  Takes ownership of config.
 */
int			daemon_run(const char *config_path, AdvisorConfig *config);

#endif							/* SCALEUP_DAEMON_H */
