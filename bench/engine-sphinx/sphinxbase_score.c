/* Scores n-grams with sphinxbase itself: reads lines "w1 w2 ... wn" (text order) on stdin and
   prints sphinxbase's raw log score (base 1.0001, int) of wn given the preceding words. */
#include <sphinxbase/ngram_model.h>
#include <sphinxbase/logmath.h>
#include <stdio.h>
#include <string.h>
int main(int argc, char **argv) {
  logmath_t *lmath = logmath_init(1.0001, 0, 0);
  ngram_model_t *lm = ngram_model_read(NULL, argv[1], NGRAM_AUTO, lmath);
  if (!lm) return 1;
  char line[4096];
  while (fgets(line, sizeof line, stdin)) {
    char *words[8]; int n = 0;
    for (char *t = strtok(line, " \t\n"); t && n < 8; t = strtok(NULL, " \t\n")) words[n++] = t;
    if (n == 0) continue;
    int32 wid = ngram_wid(lm, words[n - 1]);
    int32 hist[8];
    for (int i = 0; i < n - 1; ++i) hist[i] = ngram_wid(lm, words[n - 2 - i]);
    int32 used;
    int32 s = ngram_ng_prob(lm, wid, hist, n - 1, &used);
    printf("%d %d\n", s, used);
  }
  return 0;
}
