/*
 * What the pipeline (pipeline.c) asks of body.c; route modules use the
 * accessors in drop.h instead.
 */

#ifndef DROP_PIPELINE_H
#define DROP_PIPELINE_H

int	drop_body_parse(struct drop_ctx *);
void	drop_body_validate(struct drop_ctx *);
void	drop_body_wipe(struct drop_ctx *);
void	drop_query_validate(struct drop_ctx *);

#endif
