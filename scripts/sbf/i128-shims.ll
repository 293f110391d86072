; i128 multiply/divide/remainder for upstream-LLVM SBPF builds.
;
; LLVM 23's BPF backend lowers i128 mul/div/rem to libcalls that return the i128 in
; registers, while rustc 1.96's compiler_builtins defines them with an sret pointer: calling
; those faults at run time. These definitions use the register convention. Only i128 add,
; sub, compare and constant shifts are used inside (the backend expands those inline), and
; optnone keeps LLVM from turning the loops back into the operations they implement.
target datalayout = "e-m:e-p:64:64-i64:64-i128:128-n32:64-S128"
target triple = "bpfel"

define i128 @__multi3(i128 %a, i128 %b) #0 {
  %alo = trunc i128 %a to i64
  %ash = lshr i128 %a, 64
  %ahi = trunc i128 %ash to i64
  %blo = trunc i128 %b to i64
  %bsh = lshr i128 %b, 64
  %bhi = trunc i128 %bsh to i64
  %a0 = and i64 %alo, 4294967295
  %a1 = lshr i64 %alo, 32
  %b0 = and i64 %blo, 4294967295
  %b1 = lshr i64 %blo, 32
  %p00 = mul i64 %a0, %b0
  %p01 = mul i64 %a0, %b1
  %p10 = mul i64 %a1, %b0
  %p11 = mul i64 %a1, %b1
  %p00h = lshr i64 %p00, 32
  %mid = add i64 %p10, %p00h
  %midlo = and i64 %mid, 4294967295
  %midhi = lshr i64 %mid, 32
  %mid2 = add i64 %p01, %midlo
  %mid2hi = lshr i64 %mid2, 32
  %lolo = and i64 %p00, 4294967295
  %mid2sh = shl i64 %mid2, 32
  %lo = or i64 %mid2sh, %lolo
  %hi0 = add i64 %p11, %midhi
  %hi1 = add i64 %hi0, %mid2hi
  %c1 = mul i64 %alo, %bhi
  %c2 = mul i64 %ahi, %blo
  %hi2 = add i64 %hi1, %c1
  %hi = add i64 %hi2, %c2
  %lo128 = zext i64 %lo to i128
  %hi128 = zext i64 %hi to i128
  %hish = shl i128 %hi128, 64
  %r = or i128 %hish, %lo128
  ret i128 %r
}

; Restoring division, one bit per iteration: the numerator is shifted out at the top.
define i128 @__udivti3(i128 %n, i128 %d) #0 {
entry:
  br label %loop
loop:
  %i = phi i32 [ 0, %entry ], [ %i.next, %loop ]
  %nn = phi i128 [ %n, %entry ], [ %nn.next, %loop ]
  %q = phi i128 [ 0, %entry ], [ %q.next, %loop ]
  %r = phi i128 [ 0, %entry ], [ %r.next, %loop ]
  %top = lshr i128 %nn, 127
  %nn.next = shl i128 %nn, 1
  %r.sh = shl i128 %r, 1
  %r.in = or i128 %r.sh, %top
  %ge = icmp uge i128 %r.in, %d
  %r.sub = sub i128 %r.in, %d
  %r.next = select i1 %ge, i128 %r.sub, i128 %r.in
  %q.sh = shl i128 %q, 1
  %q.bit = zext i1 %ge to i128
  %q.next = or i128 %q.sh, %q.bit
  %i.next = add i32 %i, 1
  %done = icmp eq i32 %i.next, 128
  br i1 %done, label %exit, label %loop
exit:
  ret i128 %q.next
}

define i128 @__umodti3(i128 %n, i128 %d) #0 {
entry:
  br label %loop
loop:
  %i = phi i32 [ 0, %entry ], [ %i.next, %loop ]
  %nn = phi i128 [ %n, %entry ], [ %nn.next, %loop ]
  %r = phi i128 [ 0, %entry ], [ %r.next, %loop ]
  %top = lshr i128 %nn, 127
  %nn.next = shl i128 %nn, 1
  %r.sh = shl i128 %r, 1
  %r.in = or i128 %r.sh, %top
  %ge = icmp uge i128 %r.in, %d
  %r.sub = sub i128 %r.in, %d
  %r.next = select i1 %ge, i128 %r.sub, i128 %r.in
  %i.next = add i32 %i, 1
  %done = icmp eq i32 %i.next, 128
  br i1 %done, label %exit, label %loop
exit:
  ret i128 %r.next
}

; Signed: divide magnitudes; the quotient is negative when the signs differ, the remainder
; takes the sign of the dividend (Rust's and C's truncating semantics).
define i128 @__divti3(i128 %a, i128 %b) #0 {
  %an = icmp slt i128 %a, 0
  %bn = icmp slt i128 %b, 0
  %aneg = sub i128 0, %a
  %bneg = sub i128 0, %b
  %ua = select i1 %an, i128 %aneg, i128 %a
  %ub = select i1 %bn, i128 %bneg, i128 %b
  %uq = call i128 @__udivti3(i128 %ua, i128 %ub)
  %neg = xor i1 %an, %bn
  %qneg = sub i128 0, %uq
  %q = select i1 %neg, i128 %qneg, i128 %uq
  ret i128 %q
}

define i128 @__modti3(i128 %a, i128 %b) #0 {
  %an = icmp slt i128 %a, 0
  %bn = icmp slt i128 %b, 0
  %aneg = sub i128 0, %a
  %bneg = sub i128 0, %b
  %ua = select i1 %an, i128 %aneg, i128 %a
  %ub = select i1 %bn, i128 %bneg, i128 %b
  %ur = call i128 @__umodti3(i128 %ua, i128 %ub)
  %rneg = sub i128 0, %ur
  %r = select i1 %an, i128 %rneg, i128 %ur
  ret i128 %r
}

attributes #0 = { noinline optnone nounwind }
