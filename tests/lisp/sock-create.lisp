;;; cgroup/sock_create: processes of the cgroup may not open UDP sockets;
;;; TCP sockets are allowed and counted by protocol.

;; requires: cgroup2

(defmap created :type :array :key-size 4 :value-size 8 :max-entries 256)

(defprog no-udp (:type :cgroup-sock :section "cgroup/sock_create")
  (let ((proto (ctx protocol)))
    (incf (getmap created (logand proto 255)))
    (if (and (= (ctx family) 2) (= proto +ip-proto-udp+))
        0
        1)))

;; attach: no-udp $CGROUP
;; trigger: udp4 127.0.0.1 9 eperm
;; listen: 127.0.0.1 18183
;; trigger: connect4 127.0.0.1 18183 ok
;; map: created 17 -> 1
;; map: created 6 -> 1
