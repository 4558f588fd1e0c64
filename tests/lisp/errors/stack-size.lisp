;;; Too much stack: the error breaks the 512 bytes down.
(defstruct big (data (array u8 256)))
(defstruct record (key u64) (payload (array u8 200)))

(defprog p (:type :xdp)
  (let ((a (make-big))
        (b (make-record))
        (scratch (struct-alloc 64)))
    (setf (big-data a 0) 1
          (record-key b) 2)
    (store u64 scratch 0 3))
  XDP_PASS)
