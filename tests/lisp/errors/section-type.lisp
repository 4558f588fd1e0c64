;;; The program type decides the section; one that contradicts it is an error.
(defprog a (:type :cgroup-sock :section "sockops")
  1)
(defprog b (:type :xdp :section "xdp/tcp")
  XDP_PASS)
(defprog c (:type :kprobe)
  0)
(defprog d (:type :xpd)
  0)
