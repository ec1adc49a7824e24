/*
 * gen_fuzz_seeds.c - regenerates the hand-assembled seeds of tests/fuzz/corpus/pickle/
 * (run from the repository root: cc -o /tmp/g tests/pickle/gen_fuzz_seeds.c && /tmp/g).
 * The benign_p*.pkl seeds come from pickle.dumps only:
 *   /usr/bin/python3 -c "import pickle,collections; o=collections.OrderedDict(a=[1,2.5,'x',b'y',None,True,(1,2)],b={'k':frozenset([1])},c=set([3]));
 *     [open('tests/fuzz/corpus/pickle/benign_p%d.pkl'%p,'wb').write(pickle.dumps(o,protocol=p)) for p in range(6)]"
 */
#include <stdio.h>
#include "pasm.h"
static void out(const char *n, pasm *a) { char p[256]; snprintf(p, sizeof p, "tests/fuzz/corpus/pickle/%s", n); FILE *f = fopen(p, "wb"); fwrite(a->d, 1, a->n, f); fclose(f); pa_free(a); }
int main(void) {
    pasm a = {0};
    /* getattr(__import__('os'), 'system')('true') */
    pa_proto(&a, 2); pa_global(&a, "builtins", "getattr"); pa_call1s(&a, "builtins", "__import__", "os");
    pa_str(&a, "system"); pa_tuple2(&a); pa_reduce(&a); pa_str(&a, "true"); pa_tuple1(&a); pa_reduce(&a); pa_stop(&a);
    out("getattr_chain.pkl", &a);
    /* nested pickle.loads */
    pasm in = {0}; pa_proto(&in, 4); pa_sglobal(&in, "os", "system"); pa_str(&in, "true"); pa_tuple1(&in); pa_reduce(&in); pa_stop(&in);
    pa_proto(&a, 4); pa_sglobal(&a, "pickle", "loads"); pa_bytes(&a, in.d, in.n); pa_tuple1(&a); pa_reduce(&a); pa_stop(&a);
    out("nested_loads.pkl", &a); pa_free(&in);
    /* frame straddle + EXT */
    pa_proto(&a, 4); pa_frame(&a, 3); pa_sglobal(&a, "collections", "OrderedDict"); pa_op(&a, 0x82); pa_op(&a, 1); pa_op(&a, '0'); pa_op(&a, ')'); pa_reduce(&a); pa_stop(&a);
    out("frame_ext.pkl", &a);
    return 0;
}
