/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * How deeply a protobuf message nests, measured before protobuf-c decodes it.
 *
 * protobuf_c_message_unpack() recurses once per nested message with no
 * limit, so an ONNX file with 100 000 nested subgraphs (a node's attribute
 * holding a graph whose node holds a graph ...) exhausts the stack.  This
 * walk reads only keys and lengths, with its own bounded stack, and uses the
 * generated descriptors to know which length-delimited fields are messages.
 * A stream it cannot follow is left to protobuf-c, which reports it.
 */
#include "cal-onnx-private.h"

typedef struct {
  const ProtobufCMessageDescriptor *descriptor;
  gsize                             end;
} Frame;

static gboolean
read_varint (const guint8 *data,
             gsize         size,
             gsize        *pos,
             guint64      *value)
{
  *value = 0;
  for (guint shift = 0; shift < 64 && *pos < size; shift += 7)
    {
      guint8 byte = data[(*pos)++];
      *value |= (guint64) (byte & 0x7f) << shift;
      if (!(byte & 0x80))
        return TRUE;
    }
  return FALSE;
}

/* Skips one field's value; for a message field, returns its length in
 * *sub_length and leaves pos at its start.  FALSE: malformed. */
static gboolean
step_field (const Frame *frame,
            const guint8 *data,
            gsize        *pos,
            const ProtobufCMessageDescriptor **sub,
            gsize        *sub_length)
{
  guint64 key, length;
  const ProtobufCFieldDescriptor *field;

  *sub = NULL;
  if (!read_varint (data, frame->end, pos, &key))
    return FALSE;
  switch (key & 7)
    {
    case 0:
      return read_varint (data, frame->end, pos, &length);
    case 1:
      if (frame->end - *pos < 8)
        return FALSE;
      *pos += 8;
      return TRUE;
    case 5:
      if (frame->end - *pos < 4)
        return FALSE;
      *pos += 4;
      return TRUE;
    case 2:
      if (!read_varint (data, frame->end, pos, &length) || length > frame->end - *pos)
        return FALSE;
      field = protobuf_c_message_descriptor_get_field (frame->descriptor, (unsigned) (key >> 3));
      if (field != NULL && field->type == PROTOBUF_C_TYPE_MESSAGE)
        {
          *sub = field->descriptor;
          *sub_length = (gsize) length;
          return TRUE;
        }
      *pos += (gsize) length;
      return TRUE;
    default:
      return FALSE;   /* groups (deprecated) or garbage: protobuf-c decides */
    }
}

gboolean
cal_onnx_check_depth (const ProtobufCMessageDescriptor  *descriptor,
                      const guint8                      *data,
                      gsize                              size,
                      GError                           **error)
{
  Frame stack[CAL_ONNX_MAX_DEPTH + 1];
  guint depth = 1;
  gsize pos = 0;

  stack[0] = (Frame) { descriptor, size };
  while (depth > 0)
    {
      Frame *top = &stack[depth - 1];
      const ProtobufCMessageDescriptor *sub;
      gsize sub_length = 0;

      if (pos >= top->end)
        {
          depth--;
          continue;
        }
      if (!step_field (top, data, &pos, &sub, &sub_length))
        return TRUE;
      if (sub == NULL)
        continue;
      if (depth == G_N_ELEMENTS (stack))
        {
          g_set_error (error, CAL_NN_ERROR, CAL_NN_ERROR_INVALID,
                       "The model nests messages more than %d deep (subgraphs inside "
                       "subgraphs); no U-net needs that, and decoding it could crash. "
                       "Refusing the file", CAL_ONNX_MAX_DEPTH);
          return FALSE;
        }
      stack[depth++] = (Frame) { sub, pos + sub_length };
    }
  return TRUE;
}
