;;; A struct accessor with a field the struct does not have.
(defstruct event (pid u32) (src-addr u32) (comm (array u8 16)))

(defmap events :type :ringbuf :max-entries 4096)

(defprog p (:type :xdp)
  (with-ringbuf (e events (sizeof event))
    (setf (event-srcaddr e) 1))
  XDP_PASS)
