;;; sock_ops: count TCP connection events of the cgroup by callback and
;;; record the port of the last actively established connection.

;; requires: cgroup2

(defconstant +active-established+ 4)
(defconstant +passive-established+ 5)

(defmap ops :type :array :key-size 4 :value-size 8 :max-entries 16)
(defmap last-port :type :array :key-size 4 :value-size 8 :max-entries 1)

(defprog tcp-events (:type :sock-ops)
  (let ((op (ctx op)))
    (when (< op 16)
      (incf (getmap ops op)))
    (when (and (= op +active-established+) (= (ctx family) 2))
      (setf (getmap last-port 0) (ntohl (ctx remote-port)))))
  1)

;; attach: tcp-events $CGROUP
;; listen: 127.0.0.1 18182
;; trigger: connect4 127.0.0.1 18182 ok
;; map: ops 4 -> 1
;; map: last-port 0 -> 18182
