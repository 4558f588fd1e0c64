;;; cgroup/connect4: processes in the cgroup may not connect to port 7; every
;;; connect is counted per destination port; connections to port 9 are sent
;;; to a local service on 18181 instead.

;; requires: cgroup2

(defmap connects :type :hash :key-size 2 :value-size 8 :max-entries 1024)

(defconstant +redirect-from+ 9)
(defconstant +redirect-to+ 18181)

(defprog connect-policy (:type :cgroup-sock-addr :section "cgroup/connect4")
  (let ((port (ntohs (cast u16 (ctx user-port)))))
    (incf (getmap connects port))
    (cond ((= port 7) 0)
          ((= port +redirect-from+)
           (setf (ctx user-ip4) (htonl #x7f000001)
                 (ctx user-port) (htons +redirect-to+))
           1)
          (t 1))))

;; attach: connect-policy $CGROUP
;; listen: 127.0.0.1 18181
;; trigger: connect4 127.0.0.1 7 eperm
;; trigger: connect4 127.0.0.1 9 ok
;; trigger: connect4 127.0.0.1 18182 refused
;; map: connects 7 -> 1
;; map: connects 9 -> 1
;; map: connects 18182 -> 1
