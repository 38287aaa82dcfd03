# Reference values for src/stats (core): run `Rscript test/reference/stats-core.R` from the project root.
# Writes test/fixtures/reference/stats-core.json. Needs only base R (r-base-core).
num <- function(x) ifelse(is.na(x), "null", sprintf("%.17g", x))
arr <- function(x) paste0("[", paste(num(x), collapse = ","), "]")
obj <- function(...) {
  kv <- list(...)
  paste0("{", paste(sprintf('"%s":%s', names(kv), unlist(kv)), collapse = ","), "}")
}
list_json <- function(items) paste0("[\n  ", paste(items, collapse = ",\n  "), "\n]")

normal_p <- sapply(c(0, 0.5, 1.96, 3, 5, 9, 20, 37), function(z)
  obj(z = num(z), p = num(2 * pnorm(-abs(z)))))
normal_q <- sapply(c(0.5, 0.975, 0.025, 1e-5, 1e-10, 1e-100, 1e-300), function(p)
  obj(p = num(p), q = num(qnorm(p))))
t_p <- apply(rbind(c(0.5, 1), c(2.5, 3), c(50, 3), c(3, 1e6), c(2, 10.5), c(10, 30), c(30, 5), c(1e4, 2)), 1,
  function(r) obj(t = num(r[1]), df = num(r[2]), p = num(2 * pt(-abs(r[1]), r[2]))))
t_q <- apply(rbind(c(0.025, 5), c(0.025, 1e6), c(1e-20, 3), c(0.005, 2.5), c(0.05, 1)), 1,
  function(r) obj(q = num(r[1]), df = num(r[2]), t = num(qt(r[1], r[2], lower.tail = FALSE))))
chisq <- apply(rbind(c(3.84, 1), c(10, 4), c(0.5, 2), c(100, 3), c(700, 3), c(1300, 1)), 1,
  function(r) obj(x = num(r[1]), df = num(r[2]), p = num(pchisq(r[1], r[2], lower.tail = FALSE))))

# Two proportions: prop.test without continuity correction gives z² and p (pooled) and the Wald (unpooled) CI.
props <- apply(rbind(
  c(100, 1000, 130, 1000), c(50, 1000, 52, 1000), c(1, 10, 9, 10), c(500, 10000, 600, 10000),
  c(10, 100000, 50, 100000), c(2000, 10000, 3000, 10000), c(30, 200, 20, 250)
), 1, function(r) {
  xc <- r[1]; nc <- r[2]; xt <- r[3]; nt <- r[4]
  pt_ <- prop.test(c(xt, xc), c(nt, nc), correct = FALSE, conf.level = 0.95)
  pc <- xc / nc; ptr <- xt / nt
  # delta-method relative CI (formula restated independently of the TypeScript code)
  rel <- ptr / pc - 1
  se_rel <- sqrt((ptr * (1 - ptr) / nt) / pc^2 + ptr^2 * (pc * (1 - pc) / nc) / pc^4)
  obj(control = obj(n = num(nc), conversions = num(xc)), treatment = obj(n = num(nt), conversions = num(xt)),
      z = num(sign(ptr - pc) * sqrt(unname(pt_$statistic))), p = num(pt_$p.value),
      ciAbsolute = arr(pt_$conf.int), relative = num(rel),
      ciRelative = arr(rel + c(-1, 1) * qnorm(0.975) * se_rel))
})

# Welch: t.test on generated samples, so the reference is R's own Welch implementation.
set.seed(42)
welch <- sapply(list(
  list(rnorm(40, 10, 2), rnorm(35, 11, 3)), list(rexp(200, 1 / 5), rexp(180, 1 / 6)),
  list(c(1, 2, 3), c(4, 5, 6, 7)), list(rnorm(1000, 0, 1), rnorm(1000, 0.3, 1))
), function(s) {
  ctl <- s[[1]]; trt <- s[[2]]
  tt <- t.test(trt, ctl, var.equal = FALSE, conf.level = 0.95)
  obj(control = obj(n = num(length(ctl)), mean = num(mean(ctl)), variance = num(var(ctl))),
      treatment = obj(n = num(length(trt)), mean = num(mean(trt)), variance = num(var(trt))),
      t = num(unname(tt$statistic)), df = num(unname(tt$parameter)), p = num(tt$p.value), ci = arr(tt$conf.int))
})

srm <- sapply(list(list(c(5050, 4950), c(1, 1)), list(c(1000, 1100, 900), c(1, 1, 1)),
                   list(c(480, 520), c(40, 60)), list(c(50000, 51000), c(1, 1))), function(s) {
  ct <- chisq.test(s[[1]], p = s[[2]] / sum(s[[2]]))
  obj(observed = arr(s[[1]]), weights = arr(s[[2]]), chiSquare = num(unname(ct$statistic)), p = num(ct$p.value))
})

ps <- c(0.01, 0.04, 0.03, 0.2)
adjust <- obj(p = arr(ps), holm = arr(p.adjust(ps, "holm")), bonferroni = arr(p.adjust(ps, "bonferroni")))

out <- paste0("{\n\"normalTwoSided\": ", list_json(normal_p), ",\n\"normalQuantile\": ", list_json(normal_q),
  ",\n\"studentTwoSided\": ", list_json(t_p), ",\n\"studentUpperQuantile\": ", list_json(t_q),
  ",\n\"chiSquareUpper\": ", list_json(chisq), ",\n\"proportions\": ", list_json(props),
  ",\n\"welch\": ", list_json(welch), ",\n\"srm\": ", list_json(srm), ",\n\"adjust\": ", adjust,
  ",\n\"generator\": \"", R.version.string, "\"\n}\n")
writeLines(out, "test/fixtures/reference/stats-core.json", sep = "")
