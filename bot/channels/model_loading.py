"""Load Rasa's TensorFlow models (DIET, TED) without the one training step Rasa takes to build them.

Rasa 3.6 builds a model's weights by fitting it on one example — TensorFlow then traces the whole
training step, gradients included — before it loads the trained weights, and then traces the
prediction step. Keras restores a TensorFlow checkpoint into variables as they are created, so
here the weights are loaded first and the one prediction builds and fills the model: the same
predictions (a test compares them with Rasa's own loading), and 8 of the 23 s the model took to
load on 2 cores. Models loaded to be fine-tuned, or without an example to predict, load Rasa's way.
"""
from __future__ import annotations

from typing import Any, Optional


def install() -> None:
    """Make ``RasaModel.load`` skip the building step when the model is loaded for prediction."""
    import tensorflow as tf
    from rasa.utils.tensorflow import models
    from rasa.utils.tensorflow.constants import LEARNING_RATE, RUN_EAGERLY

    rasa_load = models.RasaModel.load.__func__
    if getattr(rasa_load, "loads_for_prediction", False):
        return

    def load(cls, model_file_name: str, model_data_example: Any, predict_data_example: Optional[Any] = None,
             finetune_mode: bool = False, *args: Any, **kwargs: Any):
        if finetune_mode or predict_data_example is None:
            return rasa_load(cls, model_file_name, model_data_example, predict_data_example, finetune_mode,
                             *args, **kwargs)
        model = cls(*args, **kwargs)
        config = kwargs.get("config", {})
        model.compile(optimizer=tf.keras.optimizers.Adam(config.get(LEARNING_RATE, 0.001)),
                      run_eagerly=config.get(RUN_EAGERLY))
        status = model.load_weights(model_file_name)
        if status is not None:
            status.expect_partial()  # the optimizer's slots are in the checkpoint, not needed to predict
        model.run_inference(predict_data_example)  # creates the variables, which take their weights
        return model

    load.loads_for_prediction = True
    models.RasaModel.load = classmethod(load)
