# Reference values for src/stats/sample-size.ts: R's power.prop.test (uniroot on n), rounded up.
# Run `Rscript test/reference/sample-size.R` from the project root; writes test/fixtures/reference/sample-size.json.
cases <- list(
  c(0.10, 0.10, 0.05, 0.80), c(0.10, 0.02, 0.05, 0.80), c(0.05, 0.20, 0.05, 0.90), c(0.30, -0.10, 0.05, 0.80),
  c(0.50, 0.05, 0.01, 0.95), c(0.01, 0.50, 0.05, 0.80), c(0.20, 0.25, 0.10, 0.80), c(0.90, 0.05, 0.05, 0.80),
  c(0.02, 0.10, 0.025, 0.80), c(0.15, -0.20, 0.05, 0.85), c(0.40, 0.01, 0.05, 0.80), c(0.70, -0.30, 0.05, 0.99),
  c(0.10, 0.05, 0.05 / 3, 0.80), c(0.25, 0.10, 0.05 / 2, 0.80), c(0.005, 1.00, 0.05, 0.80)
)
rows <- sapply(cases, function(x) {
  p1 <- x[1]; p2 <- p1 * (1 + x[2])
  n <- power.prop.test(p1 = p1, p2 = p2, sig.level = x[3], power = x[4], tol = 1e-10)$n
  sprintf('{"baselineRate":%.17g,"relativeEffect":%.17g,"alpha":%.17g,"power":%.17g,"n":%.17g,"perVariant":%d}',
          p1, x[2], x[3], x[4], n, as.integer(ceiling(n)))
})
writeLines(paste0("[\n  ", paste(rows, collapse = ",\n  "), "\n]\n"), "test/fixtures/reference/sample-size.json", sep = "")
