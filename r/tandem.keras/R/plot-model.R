# plot-model.R: plot(model), a drawing of a model's layers (Keras' model_to_dot()).

#' Plot a Keras model
#'
#' Draws the graph of a model's layers, as keras3's `plot()` method: Keras'
#' `keras.utils.model_to_dot()` makes a Graphviz graph, which is written to a PNG file and
#' drawn on the current graphics device (or, in a knitr document, included as a figure).
#'
#' Needs the Python package `pydot` and Graphviz's `dot` program (Debian: `apt install
#' graphviz`); without them the error says so.
#'
#' @param x A Keras model (it must be built: a functional model, or a sequential model
#'   with an input shape).
#' @param show_shapes Show the output shapes of the layers.
#' @param show_dtype Show the layers' dtypes.
#' @param show_layer_names Show the layers' names.
#' @param ... Passed on to `keras.utils.model_to_dot()`.
#' @param rankdir `"TB"` for a vertical plot, `"LR"` for a horizontal one.
#' @param expand_nested Draw nested models as clusters.
#' @param dpi Dots per inch of the image.
#' @param layer_range `NULL`, or two layer names (or regular expressions): the first and
#'   last layer to draw.
#' @param show_layer_activations Show the activations of layers that have one.
#' @param show_trainable Show whether each layer is trainable; `NA` (the default) shows it
#'   when the model has non-trainable weights.
#' @param to_file `NULL` to draw the plot, or the path of an image file to write (its
#'   extension gives the format: `png`, `svg`, `pdf`, ...).
#' @return `NULL`, invisibly (in knitr, the figure to include).
#' @export
#' @examples
#' \dontrun{
#' model <- keras_model_sequential(input_shape = 4) |> layer_dense(8) |> layer_dense(1)
#' plot(model, show_shapes = TRUE)
#' plot(model, to_file = tempfile(fileext = ".png"))
#' }
plot.keras.src.models.model.Model <- function(x, show_shapes = FALSE, show_dtype = FALSE,
                                              show_layer_names = FALSE, ..., rankdir = "TB",
                                              expand_nested = FALSE,
                                              dpi = getOption("keras.plot.model.dpi", 200L),
                                              layer_range = NULL, show_layer_activations = FALSE,
                                              show_trainable = NA, to_file = NULL) {
  if (is.na(show_trainable)) {
    built <- isTRUE(py_to_r(py_get_attr(x, "built", silent = TRUE)))
    show_trainable <- built && length(py_to_r(py_get_attr(x, "non_trainable_weights"))) > 0L
  }
  args <- c(list(model = x, show_shapes = as_flag(show_shapes, "show_shapes"),
                 show_dtype = as_flag(show_dtype, "show_dtype"),
                 show_layer_names = as_flag(show_layer_names, "show_layer_names"),
                 rankdir = rankdir, expand_nested = as_flag(expand_nested, "expand_nested"),
                 dpi = as_int(dpi, "dpi"),
                 show_layer_activations = as_flag(show_layer_activations, "show_layer_activations"),
                 show_trainable = as_flag(show_trainable, "show_trainable")),
            if (!is.null(layer_range)) list(layer_range = as.list(layer_range)),
            dots_list(...))
  in_knitr <- isTRUE(getOption("knitr.in.progress"))
  file <- to_file
  if (is.null(file)) {
    if (in_knitr) {
      options <- knitr::opts_current$get()
      file <- knitr::fig_path(suffix = ".png", options = options,
                              number = asNamespace("knitr")$plot_counter())
      dir.create(dirname(file), recursive = TRUE, showWarnings = FALSE)
    } else {
      file <- tempfile("keras_model_", fileext = ".png")
      on.exit(unlink(file), add = TRUE)
    }
  }
  format <- tolower(tools::file_ext(file))
  if (!nzchar(format)) abort("`to_file` must end in an image extension such as `.png`, not `", file, "`.")
  tryCatch({
    dot <- do.call(keras$utils$model_to_dot, args)
    if (is.null(dot)) stop("Keras could not draw the model (is pydot installed?).", call. = FALSE)
    dot$write(file, format = format)
  }, error = function(e) {
    abort("Can't plot the model: ", conditionMessage(e),
          "\nplot() of a model needs the Python package 'pydot' (",
          "py_install(\"pydot\")) and Graphviz's `dot` program (Debian: apt install graphviz).")
  })
  if (!is.null(to_file)) return(invisible())
  if (in_knitr) return(knitr::include_graphics(file, dpi = dpi))
  if (!requireNamespace("png", quietly = TRUE)) {
    abort("Drawing the model needs the R package 'png'; or give `to_file` to write the image.")
  }
  img <- png::readPNG(file, native = TRUE)
  d <- dim(img)
  graphics::plot.new()
  graphics::plot.window(xlim = c(0, d[[2]]), ylim = c(0, d[[1]]), asp = 1, xaxs = "i", yaxs = "i")
  graphics::rasterImage(img, 0, 0, d[[2]], d[[1]], interpolate = TRUE)
  invisible()
}
