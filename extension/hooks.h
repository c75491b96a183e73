/*-------------------------------------------------------------------------
 *
 * hooks.h
 *	  Installation of pg_scaleup's server hooks.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SCALEUP_HOOKS_H
#define SCALEUP_HOOKS_H

extern void scaleup_install_hooks(void);

#endif							/* SCALEUP_HOOKS_H */
