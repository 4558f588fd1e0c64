;;; Comparisons of more than two values, as in Common Lisp: (< a b c) holds
;;; when each neighbour pair does, (/= a b c) when every pair differs; each
;;; argument is evaluated once, in order.  (Found by fuzzing: a chain used
;;; as a test recursed until the stack overflowed.)

(defmap out :type :array :key-size 4 :value-size 8 :max-entries 4)

(defprog chains (:type :xdp)
  (with-tcp (data data-end tcp)
    (let ((port (tcp-dst-port tcp))
          (n 0))
      (setf (getmap out 0) (< 1000 port 2000)
            (getmap out 1) (/= port 80 port)
            (getmap out 2) (<= 0 (incf n) 1 (+ n 0)))
      (setf (getmap out 3) n)
      (when (< 1000 port 2000 3000)
        (return XDP_DROP))))
  XDP_PASS)

;; run: chains pkt=tcp:dport=1500 -> 1
;; map: out 0 -> 1
;; map: out 1 -> 0
;; map: out 2 -> 1
;; map: out 3 -> 1
;; run: chains pkt=tcp:dport=80 -> 2
;; map: out 0 -> 0
;; map: out 2 -> 1
