;;; Flow table: a hash map keyed by a 5-tuple struct with a struct value of
;;; counters, updated with fetch-add, exchange and compare-exchange atomics.

(defstruct flow-key
  (saddr u32)
  (daddr u32)
  (sport u16)
  (dport u16)
  (proto u8)
  (pad (array u8 3)))

(defstruct flow-stats
  (packets u64)
  (bytes u64)
  (last-len u32)
  (first-len u32)
  (max-len u64))

(defmap flows :type :hash :key-type flow-key :value-type flow-stats :max-entries 4096)
(defmap results :type :array :key-size 4 :value-size 8 :max-entries 4)

(defprog track (:type :xdp)
  (with-tcp (data data-end tcp)
    (let ((ip (+ data +eth-hdr-len+))
          (key (make-flow-key))
          (len (- data-end data)))
      (setf (flow-key-saddr key) (ipv4-src-addr ip)
            (flow-key-daddr key) (ipv4-dst-addr ip)
            (flow-key-sport key) (tcp-src-port tcp)
            (flow-key-dport key) (tcp-dst-port tcp)
            (flow-key-proto key) +ip-proto-tcp+)
      (if-let (st (map-lookup flows key))
        (let ((before (atomic-fetch-add st 0 1)))
          (atomic-add st 8 len)
          (setf (getmap results 0) before)
          (setf (getmap results 1) (atomic-xchg st 16 len u32))
          ;; first-len is set once: only while it is still 0
          (atomic-cmpxchg st 20 0 len u32)
          (when (> len (flow-stats-max-len st))
            (setf (flow-stats-max-len st) len)))
        (let ((st (make-flow-stats)))
          (setf (flow-stats-packets st) 1
                (flow-stats-bytes st) len
                (flow-stats-last-len st) len
                (flow-stats-first-len st) len
                (flow-stats-max-len st) len)
          (map-update flows key st BPF_NOEXIST)))))
  XDP_PASS)

;; run: track pkt=tcp:sport=1000,dport=80 -> 2
;; run: track pkt=tcp:sport=1000,dport=80,payload=100 -> 2
;; run: track pkt=tcp:sport=1000,dport=80,payload=10 -> 2
;; run: track pkt=tcp:sport=2000,dport=80 -> 2
;; the second packet of the flow saw 1 packet before it, the third 2
;; map: results 0 -> 2
;; map: results 1 -> 154
