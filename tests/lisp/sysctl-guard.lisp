;;; cgroup/sysctl: reading sysctls is allowed and counted, writing is
;;; refused for the cgroup; the name of the sysctl written is read into a
;;; stack buffer with sysctl-get-name and its first bytes recorded.

;; requires: cgroup2

(defmap counts :type :array :key-size 4 :value-size 8 :max-entries 2)
(defmap names :type :array :key-size 4 :value-size 8 :max-entries 1)

(defprog sysctl-guard (:type :cgroup-sysctl)
  (if (ctx write)
      (let ((buf (struct-alloc 16)))
        (when (s> (sysctl-get-name (ctx-ptr) buf 16 1) 0)
          (setf (getmap names 0) (load u64 buf 0)))
        (incf (getmap counts 1))
        0)
      (progn (incf (getmap counts 0)) 1)))

;; attach: sysctl-guard $CGROUP
;; trigger: cgroup-exec cat /proc/sys/kernel/ostype > /dev/null
;; writing back the value it has: harmless even if the guard were missing
;; trigger: cgroup-exec v=$(cat /proc/sys/net/ipv4/ip_default_ttl); echo $v > /proc/sys/net/ipv4/ip_default_ttl 2>/dev/null
;; (each read(2) call is checked: cat makes two per file)
;; map: counts 0 -> >=2
;; map: counts 1 -> 1
;; "ip_defau" (the base name) as a little-endian u64
;; map: names 0 -> 0x75616665645f7069
