;;; Queue and bloom filter maps through their helpers: sources go into a
;;; bloom filter of known hosts and a FIFO of recent arrivals; popping the
;;; queue returns them in order.

(defmap known :type :bloom-filter :key-size 0 :value-size 4 :max-entries 64)
(defmap arrivals :type :queue :key-size 0 :value-size 4 :max-entries 16)
(defmap results :type :array :key-size 4 :value-size 8 :max-entries 4)

(defprog remember (:type :xdp)
  (with-ipv4 (data data-end ip)
    (let ((src u32 (ipv4-src-addr ip)))
      (if (= (map-peek-elem known (stack-addr src)) 0)
          (incf (getmap results 0))
          (progn
            (map-push-elem known (stack-addr src) 0)
            (map-push-elem arrivals (stack-addr src) 0)))))
  XDP_PASS)

(defprog drain (:type :xdp)
  (let ((v u32 0))
    (when (= (map-pop-elem arrivals (stack-addr v)) 0)
      (setf (getmap results 1) v))
    (when (= (map-pop-elem arrivals (stack-addr v)) 0)
      (setf (getmap results 2) v)))
  XDP_PASS)

;; run: remember pkt=udp:saddr=10.0.0.5 -> 2
;; run: remember pkt=udp:saddr=10.0.0.6 -> 2
;; run: remember pkt=udp:saddr=10.0.0.5 -> 2
;; run: drain pkt=eth -> 2
;; map: results 0 -> 1
;; map: results 1 -> 0x0500000a
;; map: results 2 -> 0x0600000a
