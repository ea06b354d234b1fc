/*
 * cli/help.h — the help of every command and subcommand, kept in one registry
 * (cli/help.c) so that `plstar help CMD [SUB]`, `plstar CMD [SUB] --help` and
 * `-h` print the same text, and every default is stated beside its option.
 */
#ifndef PLSTAR_CLI_HELP_H
#define PLSTAR_CLI_HELP_H

/* The help of `command` (NULL: the overview of all commands) and, for
 * `certify`, `subcommand` (NULL: the overview of its checks); NULL when there
 * is no such command. */
const char *cli_help_text(const char *command, const char *subcommand);

/* 1 when `command` has subcommands and `word` names one of them. */
int cli_help_is_subcommand(const char *command, const char *word);

/* Prints that text on stdout and returns 0; an unknown command or subcommand
 * is a usage error (64) with a one-line message on stderr. */
int cli_help_print(const char *command, const char *subcommand);

/* 1 when argv[1..argc) holds --help or -h (before a "--" that ends options). */
int cli_help_requested(int argc, char **argv);

#endif
