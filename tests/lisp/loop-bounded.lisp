;;; bpf_loop: loop-bounded runs its body as a callback; the body reads and
;;; updates the enclosing variables, which live in a context on the stack.
;;; Counts how many of the first N squares are odd, N from a .data global.

(defglobal rounds u32 40 :section :data)
(defmap out :type :array :key-size 4 :value-size 8 :max-entries 2)

(defprog squares (:type :xdp)
  (let ((odd 0)
        (total 0))
    (loop-bounded (i rounds)
      (when (>= i 30)
        (break))
      (incf total)
      (when (logand (* i i) 1)
        (incf odd)))
    (setf (getmap out 0) odd
          (getmap out 1) total))
  XDP_PASS)

;; run: squares pkt=eth -> 2
;; map: out 0 -> 15
;; map: out 1 -> 30
