;;; A reader error (an unbalanced parenthesis) stops the file there.
(defprog p (:type :xdp)
  (let ((x 1)
    XDP_PASS)
