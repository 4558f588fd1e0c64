;;; sk_lookup: refuse TCP connections to ports a map lists as closed, count
;;; every lookup by protocol.

(defmap closed-ports :type :hash :key-size 4 :value-size 1 :max-entries 64)
(defmap lookups :type :array :key-size 4 :value-size 8 :max-entries 256)

(defprog port-gate (:type :sk-lookup)
  (let ((proto (ctx protocol))
        (port (ctx local-port)))
    (incf (getmap lookups (logand proto 255)))
    (if (and (= proto +ip-proto-tcp+)
             (or (= port 23) (map-lookup closed-ports port)))
        SK_DROP
        SK_PASS)))

;; run: port-gate ctx=sk_lookup:protocol=6,local_port=80 -> 1
;; run: port-gate ctx=sk_lookup:protocol=6,local_port=23 -> 0
;; run: port-gate ctx=sk_lookup:protocol=17,local_port=23 -> 1
;; map: lookups 6 -> 2
;; map: lookups 17 -> 1
