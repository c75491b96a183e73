/* version.h: the advisor's version, printed by --version and at start-up. */
#ifndef SCALEUP_VERSION_H
#define SCALEUP_VERSION_H

#define SCALEUP_ADVISOR_VERSION "1.0"

#endif							/* SCALEUP_VERSION_H */
