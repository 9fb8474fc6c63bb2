/* Run a command and report ITS OWN CPU time and peak RSS, unpolluted by whoever started us.

   usage: launcher RESULT_FILE PROGRAM [ARGS...]

   Why: on Linux, exec() folds the peak RSS of the replaced memory image into the new
   program's ru_maxrss. A tool spawned straight from the (large) Python benchmark would
   report at least the benchmark's own RSS. This launcher is tiny, so a child it forks
   starts from its small image. It waits for the child with wait4 and writes
   "user_seconds sys_seconds maxrss_kib exit_status" to RESULT_FILE, then exits with the
   child's exit code (128+signal when it was killed). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s RESULT_FILE PROGRAM [ARGS...]\n", argv[0]);
        return 2;
    }
    pid_t pid = fork();
    if (pid < 0) { perror("fork"); return 2; }
    if (pid == 0) {
        execvp(argv[2], argv + 2);
        perror("exec");
        _exit(127);
    }
    int status = 0;
    struct rusage usage;
    if (wait4(pid, &status, 0, &usage) < 0) { perror("wait4"); return 2; }
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    FILE *out = fopen(argv[1], "w");
    if (out) {
        fprintf(out, "%ld.%06ld %ld.%06ld %ld %d\n",
                (long)usage.ru_utime.tv_sec, (long)usage.ru_utime.tv_usec,
                (long)usage.ru_stime.tv_sec, (long)usage.ru_stime.tv_usec,
                usage.ru_maxrss, code);
        fclose(out);
    }
    return code;
}
