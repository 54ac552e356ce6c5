# history.R: the training history fit() returns, with print, as.data.frame and plot.

new_training_history <- function(history) {
  metrics <- py_to_r(py_get_attr(history, "history"))
  metrics <- lapply(metrics, function(v) as.numeric(unlist(v)))
  params <- py_to_r(py_get_attr(history, "params"))
  epochs <- length(metrics[[1]] %||% numeric())
  structure(list(params = params, metrics = metrics, epochs = epochs),
            class = "keras_training_history")
}

#' Training histories
#'
#' [fit()] returns a `keras_training_history`: `params` (Keras' fit parameters),
#' `metrics` (a named list with one numeric vector per metric, one value per epoch;
#' validation metrics are prefixed `val_`) and `epochs`.
#' `as.data.frame()` gives the long form (`epoch`, `value`, `metric`, `data`, where
#' `data` is `"training"` or `"validation"`), and `plot()` draws one panel per metric:
#' with ggplot2 when it is installed (returning the ggplot object, which draws when
#' printed), with base graphics otherwise (or with `method = "base"`). With `filename`,
#' the plot is written to that PNG file instead.
#'
#' @param x A `keras_training_history`.
#' @param row.names,optional Unused (for the generic).
#' @param metrics Which metrics to plot (default: all, without the `val_` prefix).
#' @param method `"auto"` (ggplot2 if installed, else base graphics), `"ggplot2"` or
#'   `"base"`.
#' @param filename If not `NULL`, the PNG file to write instead of drawing on the
#'   current device.
#' @param width,height Size of the PNG in pixels.
#' @param ... Unused.
#' @return `print()`: `x`, invisibly. `plot()`: with ggplot2 the ggplot object (invisibly
#'   when written to `filename`); with base graphics `x`, invisibly. `as.data.frame()`: a
#'   data frame.
#' @name training-history
NULL

#' @rdname training-history
#' @export
print.keras_training_history <- function(x, ...) {
  cat("Final epoch (plot to see history):\n")
  last <- vapply(x$metrics, function(v) v[[length(v)]], numeric(1))
  w <- max(nchar(names(last)))
  for (n in names(last)) cat(formatC(n, width = w), ": ", format(signif(last[[n]], 4)), "\n", sep = "")
  invisible(x)
}

#' @rdname training-history
#' @export
as.data.frame.keras_training_history <- function(x, row.names = NULL, optional = FALSE, ...) {
  rows <- lapply(names(x$metrics), function(n) {
    v <- x$metrics[[n]]
    val <- startsWith(n, "val_")
    data.frame(epoch = seq_along(v), value = v,
               metric = if (val) substring(n, 5) else n,
               data = if (val) "validation" else "training",
               stringsAsFactors = FALSE)
  })
  df <- do.call(rbind, rows)
  df$metric <- factor(df$metric, levels = unique(df$metric))
  df$data <- factor(df$data, levels = c("training", "validation"))
  rownames(df) <- NULL
  df
}

#' @rdname training-history
#' @export
plot.keras_training_history <- function(x, metrics = NULL, method = c("auto", "ggplot2", "base"),
                                        filename = NULL, width = 800, height = 600, ...) {
  method <- match.arg(method)
  if (method == "auto") {
    method <- if (requireNamespace("ggplot2", quietly = TRUE)) "ggplot2" else "base"
  }
  df <- as.data.frame(x)
  metrics <- metrics %||% levels(df$metric)
  unknown <- setdiff(metrics, levels(df$metric))
  if (length(unknown)) {
    abort("`metrics` must name recorded metrics (", paste(levels(df$metric), collapse = ", "),
          "), not \"", unknown[[1]], "\".")
  }
  df <- df[df$metric %in% metrics, ]
  df$metric <- factor(df$metric, levels = metrics)
  if (method == "ggplot2") {
    if (!requireNamespace("ggplot2", quietly = TRUE)) {
      abort("`method = \"ggplot2\"` needs the ggplot2 package; install it or use `method = \"base\"`.")
    }
    p <- history_ggplot(df)
    if (!is.null(filename)) {
      grDevices::png(filename, width = width, height = height)
      on.exit(grDevices::dev.off(), add = TRUE)
      print(p)
      return(invisible(p))
    }
    return(p)
  }
  if (!is.null(filename)) {
    grDevices::png(filename, width = width, height = height)
    on.exit(grDevices::dev.off(), add = TRUE)
  }
  history_base_plot(df, metrics)
  invisible(x)
}

history_colors <- c(training = "#1b6ca8", validation = "#d1495b")

history_ggplot <- function(df) {
  # Lines need two epochs (ggplot2 says so for each group of a single epoch).
  line <- if (max(df$epoch) > 1L) ggplot2::geom_line()
  ggplot2::ggplot(df, ggplot2::aes(x = .data$epoch, y = .data$value, colour = .data$data)) +
    line +
    ggplot2::geom_point() +
    ggplot2::facet_wrap(ggplot2::vars(.data$metric), ncol = 1, scales = "free_y") +
    ggplot2::scale_colour_manual(values = history_colors, drop = TRUE) +
    ggplot2::scale_x_continuous(breaks = function(lim) {
      b <- pretty(lim)
      b[b == round(b)]   # whole epochs only
    }) +
    ggplot2::labs(x = "epoch", y = NULL, colour = NULL) +
    ggplot2::theme_bw()
}

history_base_plot <- function(df, metrics) {
  old <- graphics::par(mfrow = c(length(metrics), 1), mar = c(4, 4, 1.5, 1))
  on.exit(graphics::par(old))
  for (m in metrics) {
    d <- df[df$metric == m, ]
    graphics::plot(range(d$epoch), range(d$value), type = "n", xlab = "epoch", ylab = m,
                   main = m)
    for (s in levels(droplevels(d$data))) {
      ds <- d[d$data == s, ]
      graphics::lines(ds$epoch, ds$value, col = history_colors[[s]], type = "o", pch = 19)
    }
    rising <- d$value[length(d$value)] > d$value[1]   # keep the legend off the curves
    graphics::legend(if (rising) "bottomright" else "topright", legend = levels(droplevels(d$data)),
                     col = history_colors[levels(droplevels(d$data))], lty = 1, pch = 19, bty = "n")
  }
}

# ggplot2's data pronoun in aes(), for R CMD check.
utils::globalVariables(".data")
