void f(int x) { switch (x) { case 0: continue; } }
