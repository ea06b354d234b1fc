/* cli/commands.h — one entry point per subcommand; argv[0] is the subcommand. */
#ifndef PLSTAR_CLI_COMMANDS_H
#define PLSTAR_CLI_COMMANDS_H

int cmd_demo(int argc, char **argv);
int cmd_kernel(int argc, char **argv);
int cmd_forward(int argc, char **argv);
int cmd_jacobian(int argc, char **argv);
int cmd_eig(int argc, char **argv);
int cmd_crosscheck(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_certify(int argc, char **argv);
int cmd_bench(int argc, char **argv);

#endif
