/*
 * main.c - the watchtower command: dispatch to a subcommand (cli.h).
 *   watchtower scan TARGET...     scan files, folders (and remote repositories)
 *   watchtower db update|status   vulnerability database (OSV)
 *   watchtower serve              web UI
 *   watchtower version | help
 * The original tool's flat invocation (`watchtower --repo_type=folder
 * --path=DIR`) is accepted as `scan`.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "watchtower/watchtower.h"


static void usage(FILE *out) {
    fputs("Usage: watchtower <command> [options]\n"
          "\n"
          "Commands:\n"
          "  scan TARGET...   scan model files, notebooks and requirement files in a file, a folder,\n"
          "                   a git/GitHub or Hugging Face repository or an S3 bucket\n"
          "  db update|status manage the offline vulnerability (OSV) database\n"
          "  serve            start the web UI\n"
          "  rules            list every rule with its severity, reason and standards\n"
          "  version          print the version\n"
          "  help [COMMAND]   show help (same as COMMAND --help)\n"
          "\n"
          "Exit codes: 0 no finding at or above --fail-on, 1 such findings, 2 usage or scan error.\n"
          "Run `watchtower scan --help` for the scan options. Documentation: docs/cli.md\n",
          out);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fputs("watchtower: error: no command given (try `watchtower help`)\n", stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "scan") == 0) return wt_cli_scan(argc - 1, argv + 1);
    if (strcmp(cmd, "db") == 0) return wt_cli_db(argc - 1, argv + 1);
    if (strcmp(cmd, "serve") == 0) return wt_cli_serve(argc - 1, argv + 1);
    if (strcmp(cmd, "rules") == 0) return wt_cli_rules(argc - 1, argv + 1);
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
        printf("watchtower %s\n", WT_VERSION);
        return 0;
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        if (argc > 2 && strcmp(cmd, "help") == 0) {
            char *hargv[] = {argv[2], (char *)"--help", NULL};
            if (strcmp(argv[2], "scan") == 0) return wt_cli_scan(2, hargv);
            if (strcmp(argv[2], "db") == 0) return wt_cli_db(2, hargv);
            if (strcmp(argv[2], "serve") == 0) return wt_cli_serve(2, hargv);
            fprintf(stderr, "watchtower: error: unknown command '%s' (try `watchtower help`)\n", argv[2]);
            return 2;
        }
        usage(stdout);
        return 0;
    }
    /* The original tool had no subcommands: `watchtower --repo_type=... --path=...`. */
    if (cmd[0] == '-' && cmd[1] == '-') return wt_cli_scan(argc, argv);
    fprintf(stderr, "watchtower: error: unknown command '%s' (try `watchtower help`)\n", cmd);
    return 2;
}
