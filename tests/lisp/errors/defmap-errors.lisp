;;; Map definitions are checked when they are read.
(defmap a :type :hashmap :key-size 4 :value-size 8 :max-entries 8)
(defmap b :type :array :key-size 8 :value-size 8 :max-entries 8)
(defmap c :type :ringbuf :max-entries 1000)
(defmap d :type :hash :key-size 4 :value-size 8 :max-entries 8 :max-entry 9)
(defmap e :type :hash :value-size 8 :max-entries 8)
