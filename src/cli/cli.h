/*
 * cli.h - subcommands of the watchtower CLI. main.c dispatches; each
 * subcommand lives in its own file and only calls libwatchtower.
 * Each returns the process exit code (0, 1 = findings at --fail-on, 2 = error).
 */
#ifndef WT_CLI_H
#define WT_CLI_H

int wt_cli_scan(int argc, char **argv);   /* cli_scan.c */
int wt_cli_db(int argc, char **argv);     /* cli_db.c: db update|status */
int wt_cli_serve(int argc, char **argv);
int wt_cli_rules(int argc, char **argv);  /* cli_rules.c: list rules */

#endif
