;;; A user-defined header and a union of structs: a tc classifier reads the
;;; 802.1Q tag with defheader accessors (network order handled) and keeps
;;; per-VLAN counters; a defunion gives one stack buffer for two views.

(defheader vlan
  (tci :offset 14 :type u16 :net-order t)
  (inner-type :offset 16 :type u16 :net-order t))

(defstruct as-bytes (b (array u8 8)))
(defstruct as-words (lo u32) (hi u32))
(defunion scratch as-bytes as-words)

(defmap per-vlan :type :hash :key-size 2 :value-size 8 :max-entries 4096)
(defmap misc :type :array :key-size 4 :value-size 8 :max-entries 2)

(defprog vlan-count (:type :tc)
  (with-tc-eth (data data-end)
    (when (and (= (eth-type data) +ethertype-vlan+)
               (<= (+ data 18) data-end))
      (let ((vid u16 (logand (vlan-tci data) #xfff)))
        (incf (getmap per-vlan vid))
        (when (= (vlan-inner-type data) +ethertype-ipv4+)
          (incf (getmap misc 0))))))
  (let ((s (make-scratch)))
    (setf (as-bytes-b s 0) 1
          (as-bytes-b s 4) 2)
    (setf (getmap misc 1) (+ (as-words-lo s) (as-words-hi s))))
  TC_ACT_OK)

;; tagged frame: VLAN 42, then IPv4
;; run: vlan-count data=x"ffffffffffff0000000000018100002a08004500002800004000400600000a0000010a0000020000000000000000000000000000000000000000" -> 0
;; run: vlan-count pkt=tcp -> 0
;; map: per-vlan 42 -> 1
;; map: misc 0 -> 1
;; map: misc 1 -> 3
