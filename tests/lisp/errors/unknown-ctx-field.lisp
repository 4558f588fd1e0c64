;;; Context fields are named by the program type's context struct.
(defprog p (:type :tc)
  (if (= (ctx ifidx) 3) TC_ACT_SHOT TC_ACT_OK))
